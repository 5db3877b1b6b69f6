//! The web app, served at `/` from files embedded in the binary: `GET /` is the page,
//! `GET /app/{file}` its scripts, styles and vendored libraries. Every answer carries a
//! strict Content-Security-Policy (no inline script, no eval) and the other browser
//! hardening headers; files are revalidated by `ETag`.

mod assets;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

pub use assets::WebAssets;

/// Only this origin's scripts, styles, images and API; nothing may frame the app.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn config(cfg: &mut web::ServiceConfig, assets: &web::Data<WebAssets>) {
    cfg.app_data(assets.clone())
        .route("/", web::get().to(page))
        .route("/app/{file:.*}", web::get().to(file));
}

async fn page(assets: web::Data<WebAssets>, req: HttpRequest) -> HttpResponse {
    serve(&assets, "index.html", &req)
}

async fn file(
    assets: web::Data<WebAssets>,
    name: web::Path<String>,
    req: HttpRequest,
) -> HttpResponse {
    serve(&assets, &name, &req)
}

fn serve(assets: &WebAssets, name: &str, req: &HttpRequest) -> HttpResponse {
    let mut response = match assets.get(name) {
        None => HttpResponse::NotFound().body("not found"),
        Some(asset) if asset.matches(req.headers().get(header::IF_NONE_MATCH)) => {
            HttpResponse::NotModified()
                .insert_header((header::ETAG, asset.etag.clone()))
                .finish()
        }
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::ETAG, asset.etag.clone()))
            .body(asset.bytes),
    };
    let headers = response.headers_mut();
    // The files change with the binary: always revalidate, a 304 is cheap.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}
