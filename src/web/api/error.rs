//! The staff API's errors: a status and a JSON body `{"error": "…", "details": […]}`.

use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};

use crate::billing::import::{ImportError, RowError};
use crate::cycle::{CancelError, ScheduleError};
use crate::domain::Forbidden;
use crate::links::staff::{ResendError, RevokeError};
use crate::web::database_unavailable;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: String,
    /// One entry per problem, for answers with several (an import's bad rows, a body's
    /// bad fields); otherwise empty.
    pub details: Vec<ErrorDetail>,
}

/// One problem: where it is, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The line of an import's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The field: a column of an import, or a field of a JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl From<RowError> for ErrorDetail {
    fn from(row: RowError) -> Self {
        Self {
            line: Some(row.line),
            field: Some(row.field),
            message: row.message,
        }
    }
}

/// Why a staff API request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid API key is required: send `Authorization: Bearer <key>`")]
    Unauthorized,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("{0}")]
    NotFound(String),
    #[error("{error}")]
    BadRequest {
        error: String,
        details: Vec<ErrorDetail>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than {limit} bytes; split it into smaller requests")]
    PayloadTooLarge { limit: u64 },
    #[error("a body of type {accepted} is expected")]
    UnsupportedMediaType { accepted: &'static str },
    #[error("{error}")]
    Unprocessable {
        error: String,
        details: Vec<ErrorDetail>,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(error: impl Into<String>) -> Self {
        ApiError::BadRequest {
            error: error.into(),
            details: Vec::new(),
        }
    }

    /// A field of the request that is not what was expected.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::Unprocessable {
            error: format!("{field}: {message}"),
            details: vec![ErrorDetail {
                line: None,
                field: Some(field.to_owned()),
                message,
            }],
        }
    }

    /// A JSON body that could not be read as the request expects: malformed (400) or of
    /// the wrong shape (422).
    pub fn json(error: serde_json::Error) -> Self {
        let message = error.to_string();
        if error.is_data() {
            ApiError::Unprocessable {
                error: format!("the JSON body is not what this route expects: {message}"),
                details: vec![ErrorDetail {
                    line: None,
                    field: None,
                    message,
                }],
            }
        } else {
            ApiError::BadRequest {
                error: format!("the body is not valid JSON: {message}"),
                details: Vec::new(),
            }
        }
    }

    fn details(&self) -> &[ErrorDetail] {
        match self {
            ApiError::BadRequest { details, .. } | ApiError::Unprocessable { details, .. } => {
                details
            }
            _ => &[],
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Unexpected(error.into())
    }
}

impl From<ImportError> for ApiError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Rows { errors, more } => {
                let total = errors.len() + more;
                let shown = if more > 0 {
                    format!("; the first {} are listed", errors.len())
                } else {
                    String::new()
                };
                ApiError::Unprocessable {
                    error: format!(
                        "{total} bad row(s); nothing was stored{shown}. Fix them and import again."
                    ),
                    details: errors.into_iter().map(ErrorDetail::from).collect(),
                }
            }
            ImportError::Unexpected(error) => ApiError::Unexpected(error),
        }
    }
}

impl From<ResendError> for ApiError {
    fn from(error: ResendError) -> Self {
        match error {
            ResendError::UnknownCustomer(_) => ApiError::NotFound(error.to_string()),
            ResendError::NoBill(_) => ApiError::Conflict(error.to_string()),
            ResendError::NoContact(no) => ApiError::invalid("channel", no.to_string()),
            ResendError::Unexpected(error) => ApiError::Unexpected(error),
        }
    }
}

impl From<RevokeError> for ApiError {
    fn from(error: RevokeError) -> Self {
        match error {
            RevokeError::UnknownCustomer(_) => ApiError::NotFound(error.to_string()),
            RevokeError::NoLink | RevokeError::AlreadyRevoked { .. } => {
                ApiError::Conflict(error.to_string())
            }
            RevokeError::Unexpected(error) => ApiError::Unexpected(error),
        }
    }
}

impl From<ScheduleError> for ApiError {
    fn from(error: ScheduleError) -> Self {
        match error {
            ScheduleError::AlreadyActive { .. } => ApiError::Conflict(error.to_string()),
            ScheduleError::Database(error) => error.into(),
        }
    }
}

impl From<CancelError> for ApiError {
    fn from(error: CancelError) -> Self {
        match error {
            CancelError::Unknown(_) => ApiError::NotFound(error.to_string()),
            CancelError::NotScheduled { .. } => ApiError::Conflict(error.to_string()),
            CancelError::Database(error) => error.into(),
        }
    }
}

impl From<JsonPayloadError> for ApiError {
    fn from(error: JsonPayloadError) -> Self {
        match error {
            JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge {
                limit: limit as u64,
            },
            JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::PayloadTooLarge {
                limit: limit as u64,
            },
            JsonPayloadError::ContentType => ApiError::UnsupportedMediaType {
                accepted: "application/json",
            },
            JsonPayloadError::Deserialize(error) => ApiError::json(error),
            other => ApiError::bad_request(format!("the request body could not be read: {other}")),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unexpected(error) if database_unavailable(error) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Our own failures are logged with their cause; the caller is told only what to do.
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let error = match self {
            ApiError::Unexpected(cause) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!("staff API request failed, database unavailable: {cause:#}");
                "the database is unreachable; try again in a minute".to_owned()
            }
            ApiError::Unexpected(cause) => {
                tracing::error!("staff API request failed: {cause:#}");
                "something went wrong on our side; the error is logged".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = HttpResponse::build(status);
        match self {
            ApiError::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"billpass\""));
            }
            ApiError::Unexpected(_) if status == StatusCode::SERVICE_UNAVAILABLE => {
                response.insert_header((header::RETRY_AFTER, "30"));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error,
            details: self.details().to_vec(),
        })
    }
}
