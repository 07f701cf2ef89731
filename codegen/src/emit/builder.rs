//! Emitting the crate's `ClientBuilder`: one place to configure a `Client` (base URL, the
//! vendor's auth flows, timeouts, retries, rate limit, token store, Redis), so an application
//! needs no direct dependency on the runtime.
//!
//! Credentials are kept as a setup step that runs in `build`, because some flows need the final
//! base URL (Timify's and Timekit's token endpoints live on the API's host) or the token store
//! and default organization, whatever order the setters were called in.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::model::{AuthScheme, Ir};

/// One auth flow the spec declares, as a builder method and a `Client::with_*` shorthand.
struct Flow {
    /// The builder method's name (unique per crate; the first scheme that claims it wins).
    method: &'static str,
    /// The builder method.
    builder_method: TokenStream,
    /// The `Client::with_*` shorthand over the builder method.
    shorthand: TokenStream,
}

/// Whether the crate offers a flow that caches tokens (so a token store means something).
fn has_token_flow(ir: &Ir) -> bool {
    ir.auth.iter().any(|scheme| {
        matches!(
            scheme,
            AuthScheme::TimifyAppToken | AuthScheme::BookingtimeClientCredentials { .. } | AuthScheme::TimekitAppToken
        )
    })
}

/// The bookingtime auth server the spec names, if the crate uses that flow.
fn bookingtime_auth_url(ir: &Ir) -> Option<&str> {
    ir.auth.iter().find_map(|scheme| match scheme {
        AuthScheme::BookingtimeClientCredentials { auth_url } => Some(auth_url.as_str()),
        _ => None,
    })
}

/// The auth flows of the spec, deduplicated by method name, in declaration order.
fn flows(ir: &Ir) -> Vec<Flow> {
    let result = quote! { Result<Self, BuildError> };
    let mut out: Vec<Flow> = Vec::new();
    for scheme in &ir.auth {
        let found = match scheme {
            AuthScheme::Bearer => vec![Flow {
                method: "bearer_token",
                builder_method: quote! {
                    /// Sends `Authorization: Bearer <token>`.
                    pub fn bearer_token(self, token: impl AsRef<str>) -> Self {
                        self.auth(client_runtime::auth::RawAuthorization::bearer(token))
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` that sends `Authorization: Bearer <token>`.
                    pub fn with_bearer_token(base_url: impl Into<String>, token: impl AsRef<str>) -> #result {
                        Self::builder().base_url(base_url).bearer_token(token).build()
                    }
                },
            }],
            AuthScheme::Basic => vec![Flow {
                method: "basic_auth",
                builder_method: quote! {
                    /// Sends HTTP Basic credentials (the user may be empty).
                    pub fn basic_auth(self, user: &str, password: &str) -> Self {
                        self.auth(client_runtime::auth::RawAuthorization::basic(user, password))
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` that sends HTTP Basic credentials.
                    pub fn with_basic_auth(base_url: impl Into<String>, user: &str, password: &str) -> #result {
                        Self::builder().base_url(base_url).basic_auth(user, password).build()
                    }
                },
            }],
            AuthScheme::ApiKeyHeader(name) if name.eq_ignore_ascii_case("authorization") => vec![Flow {
                method: "authorization",
                builder_method: quote! {
                    /// Sends `value` verbatim in the `Authorization` header.
                    pub fn authorization(self, value: impl Into<String>) -> Self {
                        self.auth(client_runtime::auth::RawAuthorization::new(value))
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` that sends `value` verbatim in the `Authorization` header.
                    pub fn with_authorization(base_url: impl Into<String>, value: impl Into<String>) -> #result {
                        Self::builder().base_url(base_url).authorization(value).build()
                    }
                },
            }],
            AuthScheme::ApiKeyHeader(name) | AuthScheme::ApiKeyQuery(name) => {
                let (place, key) = match scheme {
                    AuthScheme::ApiKeyHeader(_) => (
                        format!("the `{name}` header"),
                        quote! { client_runtime::auth::ApiKey::header(#name, key) },
                    ),
                    _ => (
                        format!("the `{name}` query parameter"),
                        quote! { client_runtime::auth::ApiKey::query(#name, key) },
                    ),
                };
                let doc = format!(" Sends an API key in {place}.");
                let shorthand_doc = format!(" A client at `base_url` that sends an API key in {place}.");
                vec![Flow {
                    method: "api_key",
                    builder_method: quote! {
                        #[doc = #doc]
                        pub fn api_key(self, key: impl Into<String>) -> Self {
                            self.auth(#key)
                        }
                    },
                    shorthand: quote! {
                        #[doc = #shorthand_doc]
                        pub fn with_api_key(base_url: impl Into<String>, key: impl Into<String>) -> #result {
                            Self::builder().base_url(base_url).api_key(key).build()
                        }
                    },
                }]
            }
            AuthScheme::TimifyAppToken => vec![Flow {
                method: "app_credentials",
                builder_method: quote! {
                    /// Gets and refreshes access tokens with an app ID and app secret, from the
                    /// API's own token endpoint (at the base URL).
                    pub fn app_credentials(self, app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
                        let (app_id, app_secret) = (app_id.into(), app_secret.into());
                        self.credentials(move |builder| {
                            let auth = client_runtime::auth::timify::AppToken::new(builder.base_url.clone(), app_id, app_secret);
                            builder.with_token_store(auth)
                        })
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` that gets and refreshes access tokens with an app ID and app secret.
                    pub fn with_app_credentials(
                        base_url: impl Into<String>,
                        app_id: impl Into<String>,
                        app_secret: impl Into<String>,
                    ) -> #result {
                        Self::builder().base_url(base_url).app_credentials(app_id, app_secret).build()
                    }
                },
            }],
            AuthScheme::BookingtimeClientCredentials { .. } => vec![Flow {
                method: "client_credentials",
                builder_method: quote! {
                    /// Authorises with client credentials at the auth server
                    /// ([`auth_url`](Self::auth_url)); it serves every organization the client
                    /// may act for, each with its own access token.
                    pub fn client_credentials(self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
                        let (client_id, client_secret) = (client_id.into(), client_secret.into());
                        self.credentials(move |builder| {
                            let mut auth = client_runtime::auth::bookingtime::ClientCredentials::new(
                                builder.auth_url.clone(),
                                client_id,
                                client_secret,
                            );
                            if let Some(organization) = &builder.default_organization {
                                auth = auth.default_organization(organization.clone());
                            }
                            builder.with_token_store(auth)
                        })
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` authorised with client credentials at the spec's auth server.
                    pub fn with_client_credentials(
                        base_url: impl Into<String>,
                        client_id: impl Into<String>,
                        client_secret: impl Into<String>,
                    ) -> #result {
                        Self::builder().base_url(base_url).client_credentials(client_id, client_secret).build()
                    }

                    /// As [`Client::with_client_credentials`], with another auth server.
                    pub fn with_client_credentials_at(
                        base_url: impl Into<String>,
                        auth_url: impl Into<String>,
                        client_id: impl Into<String>,
                        client_secret: impl Into<String>,
                    ) -> #result {
                        Self::builder()
                            .base_url(base_url)
                            .auth_url(auth_url)
                            .client_credentials(client_id, client_secret)
                            .build()
                    }
                },
            }],
            AuthScheme::TimeneyePersonalToken => vec![Flow {
                method: "personal_access_token",
                builder_method: quote! {
                    /// Uses a personal access token (it cannot be refreshed). For the OAuth flow,
                    /// give a [`runtime::auth::timeneye::OAuth`] to [`auth`](Self::auth).
                    pub fn personal_access_token(self, token: impl AsRef<str>) -> Self {
                        self.auth(client_runtime::auth::timeneye::PersonalAccessToken::new(token))
                    }
                },
                shorthand: quote! {
                    /// A client at `base_url` that uses a personal access token.
                    pub fn with_personal_access_token(base_url: impl Into<String>, token: impl AsRef<str>) -> #result {
                        Self::builder().base_url(base_url).personal_access_token(token).build()
                    }
                },
            }],
            AuthScheme::TimeneyeOAuth => Vec::new(),
            AuthScheme::TimekitAppToken => vec![
                Flow {
                    method: "app_key",
                    builder_method: quote! {
                        /// Sends the app's API key as Basic `:key`.
                        pub fn app_key(self, key: impl AsRef<str>) -> Self {
                            self.auth(client_runtime::auth::timekit::AppKey::new(key))
                        }
                    },
                    shorthand: quote! {
                        /// A client at `base_url` that sends the app's API key as Basic `:key`.
                        pub fn with_app_key(base_url: impl Into<String>, key: impl AsRef<str>) -> #result {
                            Self::builder().base_url(base_url).app_key(key).build()
                        }
                    },
                },
                Flow {
                    method: "personal_credentials",
                    builder_method: quote! {
                        /// First fetches the app's token with a personal email and API key (from
                        /// the API at the base URL), then sends it like [`app_key`](Self::app_key).
                        pub fn personal_credentials(
                            self,
                            email: impl Into<String>,
                            personal_api_key: impl Into<String>,
                            app_slug: impl Into<String>,
                        ) -> Self {
                            let (email, personal_api_key, app_slug) = (email.into(), personal_api_key.into(), app_slug.into());
                            self.credentials(move |builder| {
                                let auth = client_runtime::auth::timekit::AppTokenBootstrap::new(
                                    builder.base_url.clone(),
                                    email,
                                    personal_api_key,
                                    app_slug,
                                );
                                builder.with_token_store(auth)
                            })
                        }
                    },
                    shorthand: quote! {
                        /// A client at `base_url` that first fetches the app token with a personal email and API key.
                        pub fn with_personal_credentials(
                            base_url: impl Into<String>,
                            email: impl Into<String>,
                            personal_api_key: impl Into<String>,
                            app_slug: impl Into<String>,
                        ) -> #result {
                            Self::builder()
                                .base_url(base_url)
                                .personal_credentials(email, personal_api_key, app_slug)
                                .build()
                        }
                    },
                },
            ],
        };
        for flow in found {
            if !out.iter().any(|f| f.method == flow.method) {
                out.push(flow);
            }
        }
    }
    out
}

/// The `Client::with_*` shorthands, one per auth flow.
pub fn shorthands(ir: &Ir) -> Vec<TokenStream> {
    flows(ir).into_iter().map(|flow| flow.shorthand).collect()
}

/// `Client::builder()`: the builder preset for this API.
pub fn builder_fn(ir: &Ir) -> TokenStream {
    let pointers = &ir.error_message_pointers;
    let preset = (!pointers.is_empty()).then(|| quote! { .error_message_pointers([#(#pointers),*]) });
    let rate_preset = ir.rate_limit.as_ref().map(|limit| {
        let (requests, seconds) = (limit.requests, limit.per_seconds);
        let statuses = &limit.statuses;
        let retry = (!statuses.is_empty()).then(|| {
            quote! { .retry(RetryPolicy::new()#(.rate_limited_status_code(#statuses))*) }
        });
        quote! { .rate_limit(#requests, std::time::Duration::from_secs(#seconds)) #retry }
    });
    let base_url = if ir.server.is_some() {
        quote! { DEFAULT_BASE_URL.to_owned() }
    } else {
        quote! { String::new() }
    };
    let mut doc = vec![" A builder for a client of this API, preset for it".to_owned()];
    match ir.server {
        Some(_) => doc.push(" (base URL [`DEFAULT_BASE_URL`], where error bodies keep their message).".to_owned()),
        None => doc.push(" (the spec names no server: set [`ClientBuilder::base_url`]).".to_owned()),
    }
    if let Some(limit) = &ir.rate_limit {
        doc.push(String::new());
        doc.push(format!(
            " It holds the client to {} requests per {} s (the API's limit); change it with \
             [`ClientBuilder::rate_limit`] or lift it with [`ClientBuilder::no_rate_limit`].",
            limit.requests, limit.per_seconds
        ));
    }
    let token_store_field = has_token_flow(ir).then(|| quote! { token_store: None, });
    let bookingtime_fields = bookingtime_auth_url(ir).map(|auth_url| {
        quote! {
            auth_url: #auth_url.to_owned(),
            default_organization: None,
        }
    });
    quote! {
        #(#[doc = #doc])*
        pub fn builder() -> ClientBuilder {
            let base_url = #base_url;
            ClientBuilder {
                api: client_runtime::ApiClientBuilder::new(base_url.clone()) #preset #rate_preset,
                base_url,
                setup: None,
                #token_store_field
                #bookingtime_fields
            }
        }
    }
}

/// The `ClientBuilder` struct and its methods.
pub fn emit_builder(ir: &Ir) -> TokenStream {
    let flows = flows(ir);
    let flow_methods = flows.iter().map(|flow| &flow.builder_method);
    let token_flow = has_token_flow(ir);
    let token_store_field = token_flow.then(|| {
        quote! {
            /// Where token flows keep their tokens; `None`: in memory, per process.
            token_store: Option<std::sync::Arc<dyn TokenStore>>,
        }
    });
    let token_store_methods = token_flow.then(|| {
        quote! {
            /// Where the token flows of this builder keep their tokens. Default: in memory,
            /// for this process only. Give a persistent or shared store so a restarted
            /// application, or another replica, does not authorise again (with the `redis`
            /// feature, `redis` does this for you). A flow given to
            /// [`auth`](Self::auth) keeps its own store.
            pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
                self.token_store = Some(std::sync::Arc::new(store));
                self
            }

            /// `auth` with the configured token store, if any.
            fn with_token_store<F: client_runtime::auth::TokenFlow + 'static>(
                &self,
                auth: client_runtime::auth::CachedAuth<F>,
            ) -> std::sync::Arc<dyn Authenticator> {
                match &self.token_store {
                    Some(store) => std::sync::Arc::new(auth.shared_token_store(store.clone())),
                    None => std::sync::Arc::new(auth),
                }
            }
        }
    });
    let bookingtime = bookingtime_auth_url(ir).map(|auth_url| {
        let auth_url_doc =
            format!(" The auth server for [`client_credentials`](Self::client_credentials). Default: `{auth_url}`.");
        (
            quote! {
                /// The auth server of the client-credentials flow.
                auth_url: String,
                /// The organization for requests whose path names none.
                default_organization: Option<String>,
            },
            quote! {
                #[doc = #auth_url_doc]
                pub fn auth_url(mut self, auth_url: impl Into<String>) -> Self {
                    self.auth_url = auth_url.into();
                    self
                }

                /// The organization for requests whose path names none (e.g. the static
                /// lists), with [`client_credentials`](Self::client_credentials). Default: none,
                /// and such requests fail with [`AuthError::Configuration`].
                pub fn default_organization(mut self, organization_id: impl Into<String>) -> Self {
                    self.default_organization = Some(organization_id.into());
                    self
                }
            },
        )
    });
    let (bookingtime_fields, bookingtime_methods) = bookingtime.unzip();
    let redis_feature = super::features::redis_feature(ir);
    let base_url_doc = match ir.server {
        Some(_) => " The API's base URL. Default: [`DEFAULT_BASE_URL`].",
        None => " The API's base URL (the spec names none, so this is needed).",
    };
    quote! {
        /// Configures a [`Client`]: start with [`Client::builder`], end with
        /// [`build`](Self::build). Every setting has a default; the auth methods (one per flow
        /// the API declares, or [`auth`](Self::auth) for any other) replace each other.
        #[must_use]
        pub struct ClientBuilder {
            /// The runtime's builder, holding every setting but the base URL and auth.
            api: client_runtime::ApiClientBuilder,
            /// The base URL, also read by flows whose token endpoint is on the API's host.
            base_url: String,
            /// Turns the chosen credentials into an authenticator, in `build`.
            setup: Option<AuthSetup>,
            #token_store_field
            #bookingtime_fields
        }

        /// The chosen credentials, made into an authenticator once every setting is known.
        type AuthSetup = Box<dyn FnOnce(&ClientBuilder) -> std::sync::Arc<dyn Authenticator> + Send>;

        impl std::fmt::Debug for ClientBuilder {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // Credentials are never shown; only whether some were given.
                f.debug_struct("ClientBuilder")
                    .field("base_url", &self.base_url)
                    .field("has_auth", &self.setup.is_some())
                    .finish_non_exhaustive()
            }
        }

        impl ClientBuilder {
            #[doc = #base_url_doc]
            pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                self.base_url = base_url.into();
                self
            }

            /// Authenticates with any [`Authenticator`] (e.g. from [`runtime::auth`]).
            pub fn auth(self, auth: impl Authenticator + 'static) -> Self {
                let auth: std::sync::Arc<dyn Authenticator> = std::sync::Arc::new(auth);
                self.credentials(move |_| auth)
            }

            /// Replaces the credentials with `setup`, run in [`build`](Self::build).
            fn credentials(mut self, setup: impl FnOnce(&ClientBuilder) -> std::sync::Arc<dyn Authenticator> + Send + 'static) -> Self {
                self.setup = Some(Box::new(setup));
                self
            }

            #(#flow_methods)*

            #token_store_methods

            #bookingtime_methods

            /// How long one request may take, from connecting to the end of the body.
            /// Default: [`runtime::DEFAULT_REQUEST_TIMEOUT`].
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.api = self.api.request_timeout(timeout);
                self
            }

            /// How long connecting may take. Default: [`runtime::DEFAULT_CONNECT_TIMEOUT`].
            pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.api = self.api.connect_timeout(timeout);
                self
            }

            /// When and how often failed requests are retried (replacing this API's preset).
            pub fn retry(mut self, policy: RetryPolicy) -> Self {
                self.api = self.api.retry(policy);
                self
            }

            /// Holds the client to `requests` per `period` (client-side, before the server says so).
            pub fn rate_limit(mut self, requests: u32, period: std::time::Duration) -> Self {
                self.api = self.api.rate_limit(requests, period);
                self
            }

            /// No client-side rate limit (the server's 429s are still honoured).
            pub fn no_rate_limit(mut self) -> Self {
                self.api = self.api.shared_rate_limiter(None);
                self
            }

            /// The `User-Agent` header. Default: `client-runtime/<version>`.
            pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
                self.api = self.api.user_agent(user_agent);
                self
            }

            /// Allows a plain-http base URL to a host that is not loopback (credentials then
            /// travel unencrypted). Default: refused at [`build`](Self::build).
            pub fn allow_insecure_http(mut self, allow: bool) -> Self {
                self.api = self.api.allow_insecure_http(allow);
                self
            }

            /// Any other runtime setting (response size limit, pagination deadline, HTTP
            /// client, sleeper), on the runtime's [`ApiClientBuilder`].
            pub fn configure(mut self, configure: impl FnOnce(ApiClientBuilder) -> ApiClientBuilder) -> Self {
                self.api = configure(self.api);
                self
            }

            /// Shares tokens and the rate budget with every replica through `redis`; see
            /// the README's "Running several replicas".
            #[cfg(feature = #redis_feature)]
            pub fn redis(mut self, redis: &shared::RedisShared) -> Self {
                self.api = self.api.redis(redis);
                self
            }

            /// Connects to the Redis at `url` (`redis://` or `rediss://`) and shares through
            /// it, as [`redis`](Self::redis).
            #[cfg(feature = #redis_feature)]
            pub async fn redis_url(self, url: &str) -> Result<Self, shared::SharedStateError> {
                let redis = shared::RedisShared::connect(url).await?;
                Ok(self.redis(&redis))
            }

            /// The client. Fails on a base URL that is not an absolute https URL (plain http
            /// only to loopback, or with [`allow_insecure_http`](Self::allow_insecure_http)),
            /// or when the HTTP client cannot be set up.
            pub fn build(mut self) -> Result<Client, BuildError> {
                let auth = self.setup.take().map(|setup| setup(&self));
                let mut api = self.api.base_url(self.base_url);
                if let Some(auth) = auth {
                    api = api.shared_auth(auth);
                }
                Ok(Client::from_api_client(api.build()?))
            }
        }
    }
}
