//! Reading response bodies within a size limit, or handing them over to be read piecewise.
//!
//! A server (or anything between it and us) decides how large a body is, so every body the
//! client buffers is read chunk by chunk and given up on as soon as it passes the limit:
//! memory stays bounded even for an endless chunked body. Bodies too large for that are read
//! with [`ApiClient::send_streaming`](crate::ApiClient::send_streaming) instead.
#![warn(clippy::arithmetic_side_effects)]

use std::fmt;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use http::{HeaderMap, StatusCode};

use crate::error::TransportError;

/// The default cap on a response body the client reads into memory: 32 MiB. Far above any
/// JSON page these APIs send, far below what would hurt a process.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The connection failed or timed out mid-body.
    Transport(TransportError),
    /// The body is longer than `limit` bytes (by its `Content-Length` or as read so far).
    TooLarge { status: StatusCode, limit: u64 },
    /// The request could not be built (nothing was sent): the reason.
    Invalid(String),
}

/// Reads the whole body, or fails once it passes `limit` bytes (`None`: no limit).
pub(crate) async fn read_limited(mut response: reqwest::Response, limit: Option<u64>) -> Result<Bytes, ReadError> {
    let transport = |e| ReadError::Transport(TransportError::from_reqwest(e));
    let Some(limit) = limit else {
        return response.bytes().await.map_err(transport);
    };
    // A declared length over the limit is refused before reading anything.
    let status = response.status();
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit) {
        return Err(ReadError::TooLarge { status, limit });
    }
    let over = |length: usize| u64::try_from(length).map_or(true, |length| length > limit);
    // Most bodies arrive in one chunk: keep it as it is, without copying.
    let Some(first) = response.chunk().await.map_err(transport)? else {
        return Ok(Bytes::new());
    };
    if over(first.len()) {
        return Err(ReadError::TooLarge { status, limit });
    }
    let Some(second) = response.chunk().await.map_err(transport)? else {
        return Ok(first);
    };
    let capacity = usize::try_from(declared.unwrap_or(0).min(limit)).unwrap_or(0);
    let mut body = BytesMut::with_capacity(capacity.max(first.len().saturating_add(second.len())));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if over(body.len().saturating_add(chunk.len())) {
            return Err(ReadError::TooLarge { status, limit });
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(transport)?;
    }
    Ok(body.freeze())
}

/// A successful response whose body has not been read yet: read it piece by piece with
/// [`chunk`](Self::chunk) or [`into_stream`](Self::into_stream), in constant memory. No size
/// limit applies; the client's request timeout still covers the whole body.
pub struct StreamingResponse {
    status: StatusCode,
    headers: HeaderMap,
    response: reqwest::Response,
}

impl StreamingResponse {
    pub(crate) fn new(response: reqwest::Response) -> Self {
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            response,
        }
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The next piece of the body, or `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        self.response.chunk().await.map_err(TransportError::from_reqwest)
    }

    /// The body as a stream of pieces.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, TransportError>> + Send {
        self.response
            .bytes_stream()
            .map(|piece| piece.map_err(TransportError::from_reqwest))
    }
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}
