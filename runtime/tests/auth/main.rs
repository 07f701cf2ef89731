//! Auth flows against a local mock server: the exact token requests each vendor documents,
//! the token lifecycle as seen through `ApiClient::send`, and what must never leak.

mod bookingtime;
mod common;
mod lifecycle;
mod security;
mod static_auth;
mod timekit;
mod timeneye;
mod timify;
