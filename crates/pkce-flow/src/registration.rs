//! Getting a client id without pre-registration: client ID metadata documents (the client id
//! is the https URL of a document the application hosts) and dynamic client registration
//! (RFC 7591) as an exchange. Registered credentials belong to one issuer only.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use serde::Serialize;

use crate::discovery::ServerMetadata;
use crate::endpoint::{LoopbackHttp, check_endpoint};
use crate::error::{ConfigError, Error, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::secret::{AccessToken, ClientSecret, is_vschar_string};

/// Client metadata (RFC 7591 §2), serialized by [`ClientMetadata::to_json`]: the body of a
/// registration request, or with a `client_id` a client ID metadata document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ClientMetadata {
    /// `client_id`: only in a client ID metadata document, the URL where it is hosted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `client_name`, shown on the consent screen.
    pub client_name: String,
    /// `redirect_uris`.
    pub redirect_uris: Vec<String>,
    /// `grant_types`.
    pub grant_types: Vec<String>,
    /// `response_types`.
    pub response_types: Vec<String>,
    /// `token_endpoint_auth_method`: `none` for a public client.
    pub token_endpoint_auth_method: String,
    /// `application_type` (OpenID Connect Dynamic Client Registration §2): `native` for
    /// CLIs and desktop apps, whose redirect URIs are loopback or private-use.
    pub application_type: String,
    /// `scope`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `client_uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    /// `software_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    /// `software_version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
}

impl ClientMetadata {
    /// A public native client (`application_type` `native`, no secret) using the code flow
    /// with refresh, redirected to `redirect_uris`.
    #[must_use]
    pub fn native(client_name: &str, redirect_uris: &[&str]) -> Self {
        Self {
            client_id: None,
            client_name: String::from(client_name),
            redirect_uris: redirect_uris.iter().map(|u| String::from(*u)).collect(),
            grant_types: alloc::vec![
                String::from("authorization_code"),
                String::from("refresh_token")
            ],
            response_types: alloc::vec![String::from("code")],
            token_endpoint_auth_method: String::from("none"),
            application_type: String::from("native"),
            scope: None,
            client_uri: None,
            software_id: None,
            software_version: None,
        }
    }

    /// Sets `scope`.
    #[must_use]
    pub fn scope(mut self, scope: &str) -> Self {
        self.scope = Some(String::from(scope));
        self
    }

    /// The metadata as one JSON object.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing strings and lists of strings into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// This metadata as a client ID metadata document hosted at `url`, which becomes the
    /// client id: an https URL with a path, no fragment, no user info.
    ///
    /// # Errors
    /// [`ConfigError::InvalidClientId`] for any other URL.
    pub fn into_metadata_document(mut self, url: &str) -> Result<Self, ConfigError> {
        let parsed =
            check_endpoint(url, LoopbackHttp::Refuse).map_err(|_| ConfigError::InvalidClientId)?;
        if parsed.path().len() <= 1 {
            return Err(ConfigError::InvalidClientId);
        }
        self.client_id = Some(String::from(url));
        Ok(self)
    }

    /// Whether `server` accepts client ID metadata documents as client ids
    /// (`client_id_metadata_document_supported`); use the document's URL only then.
    #[must_use]
    pub fn metadata_documents_supported(server: &ServerMetadata) -> bool {
        server.client_id_metadata_document_supported
    }
}

/// A client registered with one authorization server. Keep it per issuer: never use it with
/// another server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, Serialize))]
pub struct RegisteredClient {
    /// The issuer that registered it.
    pub issuer: String,
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, for a confidential registration.
    pub client_secret: Option<ClientSecret>,
    /// `client_secret_expires_at` (0: never).
    pub client_secret_expires_at: Option<u64>,
}

#[derive(Default)]
struct RawRegistration<'a> {
    client_id: Option<Loose<'a>>,
    client_secret: Option<Loose<'a>>,
    client_secret_expires_at: Option<Loose<'a>>,
}
json_members!(RawRegistration<'a> { client_id, client_secret, client_secret_expires_at });

/// Dynamic client registration (RFC 7591 §3): one JSON POST to the server's
/// `registration_endpoint`.
#[derive(Debug)]
pub struct Registration {
    issuer: String,
    machine: OneShot<RegisteredClient>,
}

impl Registration {
    /// Registers `client` with the server of `server` metadata, with an initial access
    /// token when the server requires one (RFC 7591 §3).
    ///
    /// # Errors
    /// [`Error::NotConfigured`] without a `registration_endpoint`.
    pub fn new(
        server: &ServerMetadata,
        client: &ClientMetadata,
        initial_access_token: Option<&AccessToken>,
    ) -> Result<Self, Error> {
        let endpoint = server
            .registration_endpoint
            .as_deref()
            .ok_or(Error::NotConfigured("registration_endpoint"))?;
        let mut request =
            HttpRequest::new(Method::Post, Arc::from(endpoint), RequestPolicy::default())
                .json_body(client.to_json());
        if let Some(token) = initial_access_token {
            request = request.authorization(crate::bearer::authorization_header(token)?);
        }
        Ok(Self {
            issuer: server.issuer.clone(),
            machine: OneShot::new(request),
        })
    }
}

impl Exchange for Registration {
    type Output = RegisteredClient;

    fn kind(&self) -> &'static str {
        "registration"
    }

    fn poll_output(&mut self) -> Result<Poll<RegisteredClient>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let issuer = &self.issuer;
        self.machine.handle(&response, |r| {
            // RFC 7591 §3.2.1 says 201; some servers answer 200.
            if !matches!(r.status(), 200 | 201) {
                return Err(error_status(r));
            }
            if !r.is_json() {
                return Err(ResponseError::UnexpectedContentType.into());
            }
            let raw = json_object::<RawRegistration<'_>>(r.body())?;
            let client_id = match raw.client_id {
                Some(Loose::Str(id)) if is_vschar_string(&id) => String::from(id),
                Some(_) => return Err(ResponseError::InvalidValue("client_id").into()),
                None => return Err(ResponseError::MissingField("client_id").into()),
            };
            let client_secret = match raw.client_secret {
                None => None,
                Some(Loose::Str(s)) if is_vschar_string(&s) => {
                    Some(ClientSecret::new(String::from(s)))
                }
                Some(_) => return Err(ResponseError::InvalidValue("client_secret").into()),
            };
            let client_secret_expires_at = match raw.client_secret_expires_at {
                None => None,
                Some(Loose::UInt(n)) => Some(n),
                Some(_) => {
                    return Err(ResponseError::InvalidValue("client_secret_expires_at").into());
                }
            };
            Ok(Some(RegisteredClient {
                issuer: issuer.clone(),
                client_id,
                client_secret,
                client_secret_expires_at,
            }))
        })
    }
}
