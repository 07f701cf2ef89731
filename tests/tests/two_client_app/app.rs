//! The two-client app of issue #11 as a new user writes it today: bookingtime (add a customer,
//! list the customers, a missing customer told by its 404) and Timekit (the app token
//! bootstrapped from personal credentials, every booking listed, one booking created). Its
//! only API dependencies are the two generated crates (`tokio` runs it); BENCHMARKS.md counts
//! its lines beside the same app written against the API of commit 9a98418.

use std::error::Error;
use std::time::Duration;

use bookingtime_client::types::CustomerInput;
use timekit_client::prelude::*;
use timekit_client::types::{
    BookingCreate, BookingCreateRequired, BookingCustomerInput, BookingCustomerInputRequired, BookingGraph,
};

/// Where the two APIs are and who the app is.
pub struct Settings {
    pub bookingtime_url: String,
    pub bookingtime_auth_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub organization: String,
    pub timekit_url: String,
    pub email: String,
    pub personal_key: String,
    pub app: String,
    pub resource: String,
}

/// Runs the app and returns what it would print, line by line.
pub async fn run(s: &Settings) -> Result<Vec<String>, Box<dyn Error>> {
    let mut out = Vec::new();

    let bookingtime = bookingtime_client::Client::builder()
        .base_url(&s.bookingtime_url)
        .auth_url(&s.bookingtime_auth_url)
        .client_credentials(&s.client_id, &s.client_secret)
        .timeout(Duration::from_secs(20))
        .build()?;
    let org = s.organization.as_str();
    let john = CustomerInput {
        first_name: Some("John".into()),
        last_name: Some("Doe".into()),
        ..Default::default()
    };
    let added = bookingtime.customer().add(org, &john).await?.into_content();
    out.push(format!("added customer {}", added.id));
    let customers = bookingtime.customer().list(org).await?.into_content();
    out.push(format!("{} customers", customers.record_list.iter().flatten().count()));
    match bookingtime.customer().show(org, "nope").await {
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => out.push("no customer nope".into()),
        other => out.push(format!("customer nope: {}", other?.content().id)),
    }

    let timekit = timekit_client::Client::builder()
        .base_url(&s.timekit_url)
        .personal_credentials(&s.email, &s.personal_key, &s.app)
        .timeout(Duration::from_secs(20))
        .build()?;
    let bookings: Vec<_> = timekit.bookings().list().stream().try_collect().await?;
    out.push(format!("{} bookings", bookings.len()));
    let booking = BookingCreate {
        what: Some("Consultation".into()),
        where_: Some("Office".into()),
        ..BookingCreate::new(BookingCreateRequired {
            resource_id: s.resource.clone(),
            graph: BookingGraph::Instant,
            start: "2026-12-02T10:00:00+01:00".parse()?,
            end: "2026-12-02T11:00:00+01:00".parse()?,
            customer: BookingCustomerInput::new(BookingCustomerInputRequired {
                name: "John Doe".into(),
                email: "john@example.com".into(),
            }),
        })
    };
    let created = timekit.bookings().create(&booking).await?.into_content();
    out.push(format!("created booking {} ({:?})", created.id, created.state));
    Ok(out)
}
