//! [`call`]: sending a generated operation's request and decoding its answer, as one future.
//!
//! Every generated request builder's `.send()` (and its `IntoFuture`) returns a [`CallFuture`]
//! made here, so there is one async state machine per response and error type, not one per
//! operation. Generated `send`s are `#[inline]`, so it is compiled in the crate that makes the
//! call (the application), once for each pair of types its calls use.

use std::future::Future;
use std::pin::Pin;

use crate::{ApiClient, ApiRequest, Error, RawResponse, ResponseValue};

/// The future of one call: the decoded response, or the error.
pub type CallFuture<'a, T, E> = Pin<Box<dyn Future<Output = Result<ResponseValue<T>, Error<E>>> + Send + 'a>>;

/// Sends `request` with `client` and reads the answer with `decode` (the operation's status
/// match), as [`ApiClient::send`] does, in a future a builder can name.
pub fn call<'a, T, E>(
    client: &'a ApiClient,
    request: ApiRequest,
    decode: fn(RawResponse) -> Result<ResponseValue<T>, Error<E>>,
) -> CallFuture<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
{
    Box::pin(async move { decode(client.send(request).await?) })
}
