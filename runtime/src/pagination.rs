//! Paginated list operations as a lazy [`Stream`] of items.
//!
//! A generated `<operation>_stream` method describes the vendor's paging style with [`Pages`]
//! and hands [`paginate`] three functions: one builds the operation's [`ApiRequest`] for a
//! [`PageRequest`] (setting the page number), one decodes the response into the operation's
//! page type, and one — the typed extractor — takes that page apart into a [`Page`]: its
//! items and the link to the next page (the total number of pages, or the next page's URL).
//! Each page is decoded once, straight into its type; a page that does not decode is an
//! [`ErrorKind::Decode`](crate::ErrorKind::Decode) that keeps the raw body.
//!
//! The walker asks for the next page only when the items of the current one have been
//! consumed, and stops when a page has no items, when the page number reaches the total
//! number of pages, or when there is no next-page URL. A next-page URL, relative to the page
//! that names it (as a link in a document is), is sent with the
//! operation's own request (same headers and credentials) through
//! [`ApiRequest::absolute_url`], and refused when it points to another server.
//!
//! Every walk is bounded, whatever the server sends:
//! - a next-page URL seen before in the walk (the first page's own URL included) ends the stream
//!   with [`PaginationError::Cycle`];
//! - numbered paging stops at a page whose body repeats the previous page's byte for byte
//!   (a server that ignores the page parameter), and at the total number of pages when the
//!   body gives one;
//! - at most [`DEFAULT_MAX_PAGES`] pages are fetched ([`PageStream::max_pages`] changes it),
//!   then the stream ends with [`PaginationError::PageCap`];
//! - a deadline for the whole walk ([`PageStream::deadline`], or the client's
//!   [`pagination_deadline`](crate::ApiClientBuilder::pagination_deadline), by default
//!   [`DEFAULT_PAGINATION_DEADLINE`]) ends the stream with a [`TimeoutKind::Deadline`] error.
#![warn(clippy::arithmetic_side_effects)]

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::FusedStream;
use futures::Stream;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use url::Url;

use crate::client::ApiClient;
use crate::error::{DecodeError, Error, TimeoutKind, TransportError};
use crate::request::ApiRequest;
use crate::response::{RawResponse, ResponseValue};

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

/// How a list operation pages.
#[derive(Debug, Clone, Copy)]
pub enum Pages {
    /// A page-number parameter, the first page numbered `start`.
    Numbered {
        /// The first page's number.
        start: i64,
    },
    /// Each page names the URL of the next one.
    NextUrl,
}

/// One page taken apart by an operation's extractor: its items, and what leads to the next
/// page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    items: Vec<T>,
    total_pages: Option<i64>,
    next_url: Option<String>,
    /// Why the page could not be read (only pages read as JSON values can fail).
    malformed: Option<(String, String)>,
}

impl<T> Page<T> {
    /// A page holding `items`.
    pub fn new(items: Vec<T>) -> Self {
        Self {
            items,
            total_pages: None,
            next_url: None,
            malformed: None,
        }
    }

    /// The total number of pages, if the page states it (read it with [`PageCount`]).
    pub fn total_pages(mut self, total: Option<i64>) -> Self {
        self.total_pages = total;
        self
    }

    /// The next page's URL (absolute, or relative to the client's base URL); `None` or an
    /// empty string when this is the last page.
    pub fn next_url(mut self, url: Option<String>) -> Self {
        self.next_url = url.filter(|u| !u.is_empty());
        self
    }
}

impl Page<Value> {
    /// Reads a page decoded as a JSON value through JSON pointers: `items` to the array of
    /// items (absent or `null`: none), `total_pages` to the page count, `next_url` to the
    /// next page's URL. For operations whose page type does not hold the items.
    pub fn from_json(mut page: Value, items: &str, total_pages: Option<&str>, next_url: Option<&str>) -> Self {
        let total = total_pages.and_then(|p| page.pointer(p)).and_then(json_page_count);
        let next = next_url
            .and_then(|p| page.pointer(p))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut read = match page.pointer_mut(items).map(Value::take) {
            Some(Value::Array(items)) => Page::new(items),
            None | Some(Value::Null) => Page::new(Vec::new()),
            Some(_) => {
                let mut page = Page::new(Vec::new());
                page.malformed = Some((items.to_owned(), "is not an array".to_owned()));
                page
            }
        };
        read.total_pages = total;
        read.next_url = next.filter(|u| !u.is_empty());
        read
    }
}

/// A page count as a page may state it: an integer, a float (rounded up) or a numeric string.
pub trait PageCount {
    /// The count, or `None` when it is not a usable number.
    fn page_count(&self) -> Option<i64>;
}

macro_rules! integer_page_count {
    ($($ty:ty),*) => {$(
        impl PageCount for $ty {
            fn page_count(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
        }
    )*};
}
integer_page_count!(i32, i64, u32, u64);

impl PageCount for f64 {
    fn page_count(&self) -> Option<i64> {
        // A fractional count means a partial last page; counts past i64 are no count.
        let count = self.ceil();
        (count.is_finite() && count >= i64::MIN as f64 && count < i64::MAX as f64).then_some(count as i64)
    }
}

impl PageCount for f32 {
    fn page_count(&self) -> Option<i64> {
        f64::from(*self).page_count()
    }
}

impl PageCount for str {
    fn page_count(&self) -> Option<i64> {
        self.trim().parse().ok()
    }
}

impl PageCount for String {
    fn page_count(&self) -> Option<i64> {
        self.as_str().page_count()
    }
}

impl PageCount for Value {
    fn page_count(&self) -> Option<i64> {
        json_page_count(self)
    }
}

/// Reads a page count that may be sent as a number or as a numeric string.
fn json_page_count(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(|f| f.page_count())),
        Value::String(s) => s.page_count(),
        _ => None,
    }
}

/// Which page to fetch: for numbered pages, the page number; for next-URL paging, the URL
/// (which the walker applies to the request itself).
#[derive(Debug, Clone)]
pub struct PageRequest {
    number: Option<i64>,
    url: Option<Url>,
}

impl PageRequest {
    /// The page number in the operation's parameter type; an error for next-URL paging or
    /// for a number the type cannot hold.
    pub fn number<N: TryFrom<i64>, E>(&self) -> Result<N, Error<E>> {
        let number = self
            .number
            .ok_or_else(|| Error::invalid_request("this walk pages by URL, not by number".to_owned()))?;
        N::try_from(number)
            .map_err(|_| Error::invalid_request(format!("page number {number} does not fit the page parameter")))
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

/// The three functions a walk is made of; see [`paginate`].
struct Operation<R, D, X> {
    request: R,
    decode: D,
    extract: X,
}

struct Walk<R, D, X, T, E> {
    client: ApiClient,
    operation: Operation<R, D, X>,
    pages: Pages,
    next: Next<E>,
    buffered: VecDeque<T>,
    limits: Arc<Mutex<Limits>>,
    started: Option<Instant>,
    /// Pages fetched so far.
    fetched: u64,
    /// The SHA-256 of the first page's URL and of every next-page URL followed, to stop a cycle. Digests, not the URLs:
    /// a server picks their length, and a walk may follow thousands of them.
    seen_urls: HashSet<[u8; 32]>,
    /// The previous numbered page's body, to stop at a server that repeats a page.
    previous_body: Option<Bytes>,
}

/// Walks the pages of a list operation lazily, yielding its items.
///
/// For each page, `request` builds the operation's request for a [`PageRequest`] (a
/// next-page URL is then applied with [`ApiRequest::absolute_url`]), the client sends it,
/// `decode` turns the response into the operation's page type `P` (or its error), and
/// `extract` takes the page apart into its items and the link to the next page.
pub fn paginate<'a, P, T, E, R, D, X>(
    client: &ApiClient,
    pages: Pages,
    request: R,
    decode: D,
    extract: X,
) -> PageStream<'a, T, E>
where
    P: 'a,
    T: Send + 'a,
    E: Send + 'a,
    R: FnMut(&PageRequest) -> Result<ApiRequest, Error<E>> + Send + 'a,
    D: FnMut(RawResponse) -> Result<ResponseValue<P>, Error<E>> + Send + 'a,
    X: FnMut(P) -> Page<T> + Send + 'a,
{
    let number = match pages {
        Pages::Numbered { start } => Some(start),
        Pages::NextUrl => None,
    };
    let limits = Arc::new(Mutex::new(Limits {
        deadline: client.pagination_deadline(),
        max_pages: DEFAULT_MAX_PAGES,
    }));
    let walk = Walk {
        client: client.clone(),
        operation: Operation {
            request,
            decode,
            extract,
        },
        pages,
        next: Next::Fetch(PageRequest { number, url: None }),
        buffered: VecDeque::new(),
        limits: limits.clone(),
        started: None,
        fetched: 0,
        seen_urls: HashSet::new(),
        previous_body: None,
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

/// What a walk remembers of a URL it fetched.
fn url_digest(url: &Url) -> [u8; 32] {
    Sha256::digest(url.as_str()).into()
}

impl<P, T, E, R, D, X> Walk<R, D, X, T, E>
where
    R: FnMut(&PageRequest) -> Result<ApiRequest, Error<E>>,
    D: FnMut(RawResponse) -> Result<ResponseValue<P>, Error<E>>,
    X: FnMut(P) -> Page<T>,
{
    /// Fetches one page into the buffer and decides what comes next.
    async fn fetch_page(&mut self, page: PageRequest) -> Result<(), Error<E>> {
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
        let mut request = (self.operation.request)(&page)?;
        let first = page.url.is_none();
        if let Some(url) = page.url {
            request = request.absolute_url(url);
        }
        // Next-page links are relative to the page that names them.
        let page_url = self.client.request_url(&request);
        if first && matches!(self.pages, Pages::NextUrl) {
            // The first page's URL counts as followed too: a next-page link back to it is a cycle.
            self.seen_urls.insert(url_digest(&page_url));
        }
        // A deadline too far away to represent is no deadline.
        let deadline = limits.deadline.filter(|d| started.checked_add(*d).is_some());
        let sent = self.client.send(request);
        let response = match deadline {
            None => sent.await?,
            Some(deadline) => {
                let left = deadline.saturating_sub(started.elapsed());
                match tokio::time::timeout(left, sent).await {
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
        // A cheap handle on the bytes (no copy), for the repeat check and a malformed page.
        let body = response.body().clone();
        let decoded = (self.operation.decode)(response)?.into_inner();
        let read = (self.operation.extract)(decoded);
        if let Some((path, message)) = read.malformed {
            return Err(Error::from(DecodeError {
                path,
                message,
                status: Some(status),
                body,
            }));
        }
        if let Pages::Numbered { .. } = self.pages {
            if self.previous_body.as_ref() == Some(&body) {
                tracing::warn!(
                    page = page.number,
                    "the server sent the previous page again (it may ignore the page parameter); the walk stops"
                );
                return Ok(());
            }
            self.previous_body = Some(body);
        }
        if read.items.is_empty() {
            return Ok(());
        }
        self.buffered.extend(read.items);
        self.next = match (self.pages, page.number) {
            (Pages::Numbered { start }, Some(number)) => {
                // Page `number` is the (number - start + 1)-th page; numbers past i64 end the walk.
                let position = number.saturating_sub(start).saturating_add(1);
                match (read.total_pages, number.checked_add(1)) {
                    (Some(total), _) if position >= total => Next::Done,
                    (_, None) => Next::Done,
                    (_, Some(next)) => Next::Fetch(PageRequest {
                        number: Some(next),
                        url: None,
                    }),
                }
            }
            (Pages::NextUrl, _) => match read.next_url {
                Some(url) => self.follow(&page_url, &url),
                None => Next::Done,
            },
            (Pages::Numbered { .. }, None) => Next::Done,
        };
        Ok(())
    }

    /// The request for a next-page URL, relative to the page that named it (as links in a
    /// document are): refused on another server or when already fetched.
    fn follow(&mut self, page_url: &Url, url: &str) -> Next<E> {
        match self.client.resolve_on_same_server(page_url, url, "next-page URL") {
            Ok(url) if !self.seen_urls.insert(url_digest(&url)) => Next::Fail(Error::from(PaginationError::Cycle {
                path: url.path().to_owned(),
            })),
            Ok(url) => Next::Fetch(PageRequest {
                number: None,
                url: Some(url),
            }),
            Err(error) => Next::Fail(error),
        }
    }
}
