//! Helpers shared by the resilience tests.

use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_runtime::auth::{Authenticator, Credentials};
use client_runtime::{ApiClient, ApiClientBuilder, ApiRequest, AuthError, Sleeper};
use futures::future::BoxFuture;
use http::HeaderValue;
use wiremock::MockServer;

/// A [`Sleeper`] that returns at once and remembers every wait it was asked for.
#[derive(Debug, Clone, Default)]
pub struct RecordingSleeper {
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleeper {
    /// The waits asked for so far.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A builder for the mock server that records waits instead of sleeping.
pub fn builder(server: &MockServer, sleeper: &RecordingSleeper) -> ApiClientBuilder {
    ApiClient::builder(server.uri()).sleeper(Arc::new(sleeper.clone()))
}

/// Sends `Authorization: token-N`; a 401 moves on to token N+1.
#[derive(Debug, Default)]
pub struct RotatingToken {
    version: AtomicU32,
}

impl Authenticator for RotatingToken {
    fn authorize<'a>(
        &'a self,
        _: &'a ApiRequest,
        credentials: &'a mut Credentials,
    ) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let token = format!("token-{}", self.version.load(Ordering::SeqCst));
            let value = HeaderValue::from_str(&token).unwrap();
            credentials.set_header(http::header::AUTHORIZATION, value);
            Ok(())
        })
    }

    fn on_unauthorized<'a>(&'a self, _: &'a ApiRequest) -> BoxFuture<'a, Result<bool, AuthError>> {
        self.version.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(true) })
    }
}

/// How many requests the server saw for `path`.
pub async fn hits(server: &MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == path)
        .count()
}
