//! The staff console under `/staff`: server-rendered pages for customer-service reps,
//! billing staff, analysts and admins, signed in by an emailed link or through the
//! company's identity provider.
//!
//! Every page but sign-in needs a session ([`Console`] extracts it; without one a `GET` goes
//! to sign-in and comes back after, anything else is refused), every form carries the
//! session's CSRF token ([`Console::check_form`]), and each handler opens with its role
//! check, exactly the API's roles.

mod admin;
mod brands;
mod customers;
mod home;
mod imports;
mod oidc;
mod pages;
mod report;
mod runs;
mod session;
mod sign_in;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::web;

use session::ConsoleError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/staff")
            .app_data(form_config(FORM_LIMIT))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|error, _| ConsoleError::BadForm(error.to_string()).into()),
            )
            // As the customer pages', and the console's own script (`/assets/console.js`)
            // with the requests it makes.
            .wrap(DefaultHeaders::new().add((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                 script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                 frame-ancestors 'none'",
            )))
            .configure(sign_in::routes)
            .configure(oidc::routes)
            .configure(home::routes)
            .configure(customers::routes)
            .configure(runs::routes)
            .configure(imports::routes)
            .configure(report::routes)
            .configure(admin::routes)
            .configure(brands::routes)
            .default_service(web::to(session::not_found)),
    );
}

/// The largest form a console page posts (imports have their own limit).
const FORM_LIMIT: usize = 16 * 1024;

/// Forms of at most `limit` bytes; a larger or unreadable one is a bad form.
fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(|error, _| ConsoleError::BadForm(error.to_string()).into())
}
