//! Paginated list operations as a lazy [`Stream`] of items.
//!
//! Generated `<operation>_stream` methods describe the vendor's paging style with [`Pages`]
//! (JSON pointers from the spec's `x-pagination` extension) and hand [`paginate`] a closure
//! that fetches one page for a [`PageRequest`]. The walker asks for the next page only when
//! the items of the current one have been consumed, and stops when a page has no items, when
//! the page number reaches the total number of pages, or when there is no next-page URL.
//!
//! A next-page URL is fetched through [`ApiClient::for_page_url`]: same credentials, and
//! refused when it points to another server.
//!
//! Every walk is bounded, whatever the server sends:
//! - a next-page URL seen before in the walk ends the stream with [`PaginationError::Cycle`];
//! - numbered paging stops at a page that repeats the previous page's items (a server that
//!   ignores the page parameter), and at the total number of pages when the body gives one;
//! - at most [`DEFAULT_MAX_PAGES`] pages are fetched ([`PageStream::max_pages`] changes it),
//!   then the stream ends with [`PaginationError::PageCap`];
//! - a deadline for the whole walk ([`PageStream::deadline`], or the client's
//!   [`pagination_deadline`](crate::ApiClientBuilder::pagination_deadline), by default
//!   [`DEFAULT_PAGINATION_DEADLINE`]) ends the stream with a [`TimeoutKind::Deadline`] error.
#![warn(clippy::arithmetic_side_effects)]

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::FusedStream;
use futures::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::client::ApiClient;
use crate::error::{DecodeError, Error, TimeoutKind, TransportError};
use crate::response::ResponseValue;

/// The most pages one walk fetches unless [`PageStream::max_pages`] says otherwise: far more
/// than any listing a person reads, few enough that a server paging forever is stopped.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// The time a whole walk may take unless the client or the stream says otherwise.
pub const DEFAULT_PAGINATION_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// Why a walk was ended although the server kept offering pages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// A next-page URL pointed to a page already fetched in this walk.
    #[error("the next-page URL `{path}` was already fetched in this walk: the server's pages form a cycle")]
    Cycle {
        /// The repeated URL's path (its query is left out: it may carry credentials).
        path: String,
    },
    /// The walk fetched as many pages as it may.
    #[error("the walk stopped after {max_pages} pages, its cap; raise it with `PageStream::max_pages`")]
    PageCap {
        /// The cap that was reached.
        max_pages: u64,
    },
}

/// How a list operation pages, as JSON pointers into its response body.
#[derive(Debug, Clone)]
pub struct Pages {
    items: &'static str,
    style: Style,
}

#[derive(Debug, Clone)]
enum Style {
    Number {
        start: i64,
        total_pages: Option<&'static str>,
    },
    NextUrl(&'static str),
}

impl Pages {
    /// Pages numbered from `start`; `total_pages` points to the number of pages, if the
    /// response has it. `items` points to the array of items.
    pub fn numbered(items: &'static str, start: i64, total_pages: Option<&'static str>) -> Self {
        Self {
            items,
            style: Style::Number { start, total_pages },
        }
    }

    /// Each page points (`next`) to the URL of the next one; `items` points to the items.
    pub fn next_url(items: &'static str, next: &'static str) -> Self {
        Self {
            items,
            style: Style::NextUrl(next),
        }
    }
}

/// Which page to fetch: the client to send with (it may target a next-page URL) and, for
/// numbered pages, the page number.
#[derive(Debug, Clone)]
pub struct PageRequest {
    client: ApiClient,
    number: Option<i64>,
}

impl PageRequest {
    /// The client to send the page's request with.
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// The client to send the page's request with, by value.
    pub fn into_client(self) -> ApiClient {
        self.client
    }

    /// The page number in the operation's parameter type; `None` for next-URL paging or a
    /// number the type cannot hold.
    pub fn number<N: TryFrom<i64>>(&self) -> Option<N> {
        self.number.and_then(|n| N::try_from(n).ok())
    }
}

type BoxStream<'a, T> = Pin<Box<dyn Stream<Item = T> + Send + 'a>>;

/// A lazy stream of the items of every page; see the [module docs](self).
///
/// Once it has ended it stays ended: polling it again yields `None` (it is a
/// [`FusedStream`]).
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<'a, T, E> {
    inner: BoxStream<'a, Result<T, Error<E>>>,
    limits: Arc<Mutex<Limits>>,
    done: bool,
}

/// A walk's bounds, set on the stream before it is polled.
#[derive(Debug, Clone, Copy)]
struct Limits {
    deadline: Option<Duration>,
    max_pages: u64,
}

impl<T, E> fmt::Debug for PageStream<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream").finish_non_exhaustive()
    }
}

impl<T, E> PageStream<'_, T, E> {
    /// Limits the whole walk to `deadline`, counted from the first page request (set it
    /// before polling). Overrides the client's pagination deadline.
    pub fn deadline(self, deadline: Duration) -> Self {
        self.set(|limits| limits.deadline = Some(deadline))
    }

    /// Fetches at most `max_pages` pages (set it before polling); the walk then ends with
    /// [`PaginationError::PageCap`]. Default: [`DEFAULT_MAX_PAGES`].
    pub fn max_pages(self, max_pages: u64) -> Self {
        self.set(|limits| limits.max_pages = max_pages)
    }

    fn set(self, change: impl FnOnce(&mut Limits)) -> Self {
        match self.limits.lock() {
            Ok(mut guard) => change(&mut guard),
            Err(poisoned) => change(&mut poisoned.into_inner()),
        }
        self
    }
}

impl<T, E> Stream for PageStream<'_, T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // The walk underneath must not be polled again once it has ended.
        if self.done {
            return Poll::Ready(None);
        }
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(None) = next {
            self.done = true;
        }
        next
    }
}

impl<T, E> FusedStream for PageStream<'_, T, E> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

/// What the walker does next.
enum Next<E> {
    Fetch(PageRequest),
    Fail(Error<E>),
    Done,
}

struct Walk<F, T, E> {
    fetch: F,
    pages: Pages,
    next: Next<E>,
    buffered: VecDeque<T>,
    limits: Arc<Mutex<Limits>>,
    started: Option<Instant>,
    /// Pages fetched so far.
    fetched: u64,
    /// Every next-page URL followed, to stop a cycle.
    seen_urls: HashSet<String>,
    /// The previous numbered page's items, to stop at a server that repeats a page.
    previous_items: Option<Vec<Value>>,
}

/// Walks the pages of a list operation lazily, yielding its items.
///
/// `fetch` sends the operation for one [`PageRequest`] and returns its typed response; the
/// body is read through the JSON pointers of `pages`, and each item is decoded as `T`.
pub fn paginate<'a, T, E, B, F, Fut>(client: &ApiClient, pages: Pages, fetch: F) -> PageStream<'a, T, E>
where
    T: DeserializeOwned + Send + 'a,
    E: Send + 'a,
    B: Serialize,
    F: FnMut(PageRequest) -> Fut + Send + 'a,
    Fut: Future<Output = Result<ResponseValue<B>, Error<E>>> + Send + 'a,
{
    let number = match pages.style {
        Style::Number { start, .. } => Some(start),
        Style::NextUrl(_) => None,
    };
    let limits = Arc::new(Mutex::new(Limits {
        deadline: client.pagination_deadline(),
        max_pages: DEFAULT_MAX_PAGES,
    }));
    let walk = Walk {
        fetch,
        pages,
        next: Next::Fetch(PageRequest {
            client: client.clone(),
            number,
        }),
        buffered: VecDeque::new(),
        limits: limits.clone(),
        started: None,
        fetched: 0,
        seen_urls: HashSet::new(),
        previous_items: None,
    };
    let inner = futures::stream::unfold(walk, |mut walk| async move {
        loop {
            if let Some(item) = walk.buffered.pop_front() {
                return Some((Ok(item), walk));
            }
            match std::mem::replace(&mut walk.next, Next::Done) {
                Next::Done => return None,
                Next::Fail(error) => return Some((Err(error), walk)),
                Next::Fetch(request) => {
                    if let Err(error) = walk.fetch_page(request).await {
                        return Some((Err(error), walk));
                    }
                }
            }
        }
    });
    PageStream {
        inner: Box::pin(inner),
        limits,
        done: false,
    }
}

impl<F, T, E, B, Fut> Walk<F, T, E>
where
    T: DeserializeOwned,
    B: Serialize,
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<ResponseValue<B>, Error<E>>>,
{
    /// Fetches one page into the buffer and decides what comes next.
    async fn fetch_page(&mut self, request: PageRequest) -> Result<(), Error<E>> {
        let started = *self.started.get_or_insert_with(Instant::now);
        let limits = match self.limits.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        };
        if self.fetched >= limits.max_pages {
            return Err(Error::from(PaginationError::PageCap {
                max_pages: limits.max_pages,
            }));
        }
        self.fetched = self.fetched.saturating_add(1);
        // A deadline too far away to represent is no deadline.
        let deadline = limits.deadline.filter(|d| started.checked_add(*d).is_some());
        let client = request.client.clone();
        let number = request.number;
        let future = (self.fetch)(request);
        let response = match deadline {
            None => future.await?,
            Some(deadline) => {
                let left = deadline.saturating_sub(started.elapsed());
                match tokio::time::timeout(left, future).await {
                    Ok(response) => response?,
                    Err(_) => {
                        return Err(Error::from(TransportError::timeout(
                            TimeoutKind::Deadline,
                            format!(
                                "the paginated walk ran past its deadline of {} ms",
                                deadline.as_millis()
                            ),
                        )))
                    }
                }
            }
        };
        let status = response.status();
        let body = serde_json::to_value(response.into_inner()).map_err(|e| {
            Error::from(DecodeError {
                path: ".".to_owned(),
                message: format!("the page could not be read as JSON: {e}"),
                status: Some(status),
                body: bytes::Bytes::new(),
            })
        })?;
        let items = match body.pointer(self.pages.items) {
            Some(Value::Array(items)) => items.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(decode_error(&body, self.pages.items, "is not an array", status));
            }
        };
        let count = items.len();
        if let (Style::Number { .. }, Some(previous)) = (&self.pages.style, &self.previous_items) {
            if *previous == items {
                tracing::warn!(
                    page = number,
                    "the server sent the previous page's items again (it may ignore the page parameter); the walk stops"
                );
                return Ok(());
            }
        }
        for (index, item) in items.iter().cloned().enumerate() {
            let item = serde_path_to_error::deserialize(item).map_err(|e| {
                let path = format!("{}/{index}: {}", self.pages.items, e.path());
                decode_error(&body, &path, &e.inner().to_string(), status)
            })?;
            self.buffered.push_back(item);
        }
        if count == 0 {
            return Ok(());
        }
        if let Style::Number { .. } = self.pages.style {
            self.previous_items = Some(items);
        }
        self.next = match (&self.pages.style, number) {
            (Style::Number { start, total_pages }, Some(number)) => {
                let total = total_pages.and_then(|p| body.pointer(p)).and_then(as_i64);
                // Page `number` is the (number - start + 1)-th page; numbers past i64 end the walk.
                let position = number.saturating_sub(*start).saturating_add(1);
                match (total, number.checked_add(1)) {
                    (Some(total), _) if position >= total => Next::Done,
                    (_, None) => Next::Done,
                    (_, Some(next)) => Next::Fetch(PageRequest {
                        client,
                        number: Some(next),
                    }),
                }
            }
            (Style::NextUrl(pointer), _) => match body.pointer(pointer) {
                Some(Value::String(url)) if !url.is_empty() => match client.for_page_url(url) {
                    Ok(client) => {
                        let repeated = client
                            .page_url()
                            .filter(|url| !self.seen_urls.insert(url.as_str().to_owned()))
                            .map(|url| url.path().to_owned());
                        match repeated {
                            Some(path) => Next::Fail(Error::from(PaginationError::Cycle { path })),
                            None => Next::Fetch(PageRequest { client, number: None }),
                        }
                    }
                    Err(error) => Next::Fail(error),
                },
                _ => Next::Done,
            },
            (Style::Number { .. }, None) => Next::Done,
        };
        Ok(())
    }
}

/// Reads a page count that may be sent as a number or as a numeric string.
fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.ceil() as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn decode_error<E>(body: &Value, path: &str, message: &str, status: http::StatusCode) -> Error<E> {
    Error::from(DecodeError {
        path: path.to_owned(),
        message: message.to_owned(),
        status: Some(status),
        body: serde_json::to_vec(body).unwrap_or_default().into(),
    })
}
