//! Transport: one jsonrpsee server answering HTTP and WebSocket on the same port, with request,
//! response and batch limits and permissive CORS for browser dApps, plus [`GuardLayer`], which
//! gives geth's answers where jsonrpsee has none (invalid ids, subscriptions over HTTP).

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::atomic::{AtomicU64, Ordering},
    task::{Context, Poll},
};

use http_body_util::BodyExt;
use jsonrpsee::{
    core::{traits::IdProvider, BoxError},
    server::{
        http::response, BatchRequestConfig, HttpBody, HttpRequest, HttpResponse, Server,
        ServerConfig, ServerHandle,
    },
    types::SubscriptionId,
    RpcModule,
};
use serde_json::{json, Value};
use tower::{Layer, Service};
use tower_http::cors::CorsLayer;

/// Transport limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body in bytes.
    pub max_request_size: u32,
    /// Largest response body in bytes.
    pub max_response_size: u32,
    /// Most calls in one batch.
    pub max_batch: u32,
    /// Most simultaneous connections.
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_size: 10 * 1024 * 1024,
            max_response_size: 100 * 1024 * 1024,
            max_batch: 1000,
            max_connections: 1000,
        }
    }
}

/// Subscription ids as 128-bit hex quantities, the shape geth uses and alloy expects.
#[derive(Debug, Default)]
struct HexIds(AtomicU64);

impl IdProvider for HexIds {
    fn next_id(&self) -> SubscriptionId<'static> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        let salt = std::process::id() as u64;
        SubscriptionId::Str(format!("0x{:016x}{:016x}", salt.rotate_left(17) ^ n, n).into())
    }
}

/// Binds `addr` and serves `module`; returns the handle and the bound address.
pub async fn serve(
    addr: SocketAddr,
    module: RpcModule<()>,
    limits: Limits,
) -> std::io::Result<(ServerHandle, SocketAddr)> {
    let config = ServerConfig::builder()
        .max_request_body_size(limits.max_request_size)
        .max_response_body_size(limits.max_response_size)
        .max_connections(limits.max_connections)
        .set_batch_request_config(BatchRequestConfig::Limit(limits.max_batch))
        .set_id_provider(HexIds::default())
        .build();
    let middleware = tower::ServiceBuilder::new()
        .layer(CorsLayer::permissive())
        .layer(GuardLayer {
            max_request_size: limits.max_request_size,
        });
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(middleware)
        .build(addr)
        .await?;
    let local = server.local_addr()?;
    Ok((server.start(module), local))
}

/// JSON-RPC 2.0 "Invalid Request" (-32600).
pub const INVALID_REQUEST: i32 = -32600;
/// geth's code and message for subscriptions on a transport without notifications
/// (go-ethereum `rpc/errors.go`, `notificationsUnsupportedError`).
pub const NOTIFICATIONS_UNSUPPORTED: (i32, &str) = (-32601, "notifications not supported");

/// A valid JSON-RPC id for jsonrpsee: absent, null, a string, or an integer in `0..2^64`.
fn valid_id(request: &Value) -> bool {
    match request.get("id") {
        None | Some(Value::Null) | Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_u64(),
        Some(_) => false,
    }
}

/// What to do with one request object of an HTTP body.
enum Verdict {
    /// Pass it to jsonrpsee unchanged.
    Forward,
    /// Answer it here with this response object.
    Answer(Value),
}

fn judge(request: &Value) -> Verdict {
    if request.is_object() && !valid_id(request) {
        // jsonrpsee cannot represent this id: it would treat the object as a notification and
        // answer nothing (HTTP body `null`). JSON-RPC 2.0 requires -32600 with a null id.
        return Verdict::Answer(json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {"code": INVALID_REQUEST, "message": "invalid request: id must be a string, an integer or null"},
        }));
    }
    match request.get("method").and_then(Value::as_str) {
        Some("eth_subscribe" | "eth_unsubscribe") => Verdict::Answer(json!({
            "jsonrpc": "2.0",
            "id": request.get("id").cloned().unwrap_or(Value::Null),
            "error": {
                "code": NOTIFICATIONS_UNSUPPORTED.0,
                "message": NOTIFICATIONS_UNSUPPORTED.1,
                "data": "eth_subscribe needs a WebSocket connection (ws:// on the same port)",
            },
        })),
        _ => Verdict::Forward,
    }
}

/// Tower layer for the HTTP side of the server: answers requests jsonrpsee mishandles, as geth
/// does, and forwards everything else untouched.
///
/// * a request whose `id` is an object, an array, a fraction, negative or above 2^64 − 1 gets
///   error -32600 (jsonrpsee would read it as a notification and answer `null`);
/// * `eth_subscribe`/`eth_unsubscribe` over HTTP get geth's -32601 "notifications not
///   supported" (jsonrpsee answers -32603 "Internal error").
///
/// Works for single requests and inside batches (answers for the forwarded part of a batch come
/// first, then these). WebSocket upgrades and non-POST requests are not inspected.
#[derive(Debug, Clone, Copy)]
pub struct GuardLayer {
    /// Largest body read, in bytes (larger ones get jsonrpsee's 413 answer).
    pub max_request_size: u32,
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Guard {
            inner,
            max_request_size: self.max_request_size,
        }
    }
}

/// The service [`GuardLayer`] builds.
#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
    max_request_size: u32,
}

async fn body_bytes(body: HttpResponse) -> Result<Vec<u8>, BoxError> {
    Ok(body.into_body().collect().await?.to_bytes().to_vec())
}

impl<S, B> Service<HttpRequest<B>> for Guard<S>
where
    S: Service<HttpRequest, Response = HttpResponse> + Clone + Send + 'static,
    S::Error: Into<BoxError> + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: HttpRequest<B>) -> Self::Future {
        // The clone that was polled ready does the call (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let max = self.max_request_size;
        let inspect = req.method() == http::Method::POST
            && !req.headers().contains_key(http::header::UPGRADE);
        Box::pin(async move {
            if !inspect {
                return inner.call(req.map(HttpBody::new)).await.map_err(Into::into);
            }
            let (parts, body) = req.into_parts();
            let limited = http_body_util::Limited::new(body, max as usize);
            let bytes = match limited.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Ok(response::too_large(max)),
            };
            let forward = |body: Vec<u8>, inner: &mut S| {
                let mut parts = parts.clone();
                parts.headers.remove(http::header::CONTENT_LENGTH);
                inner.call(HttpRequest::from_parts(parts, HttpBody::from(body)))
            };
            let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
                // Malformed JSON: jsonrpsee answers -32700 itself.
                return forward(bytes.to_vec(), &mut inner)
                    .await
                    .map_err(Into::into);
            };
            match value {
                Value::Array(items) => {
                    let verdicts: Vec<Verdict> = items.iter().map(judge).collect();
                    if verdicts.iter().all(|v| matches!(v, Verdict::Forward)) {
                        return forward(bytes.to_vec(), &mut inner)
                            .await
                            .map_err(Into::into);
                    }
                    let mut answers = Vec::new();
                    let mut rest = Vec::new();
                    for (item, verdict) in items.into_iter().zip(verdicts) {
                        match verdict {
                            Verdict::Forward => rest.push(item),
                            Verdict::Answer(a) => answers.push(a),
                        }
                    }
                    let mut out = Vec::new();
                    if !rest.is_empty() {
                        let body = serde_json::to_vec(&Value::Array(rest))?;
                        let resp = forward(body, &mut inner).await.map_err(Into::into)?;
                        let resp = body_bytes(resp).await?;
                        match serde_json::from_slice::<Value>(&resp) {
                            Ok(Value::Array(items)) => out.extend(items),
                            Ok(Value::Null) | Err(_) => {}
                            Ok(other) => out.push(other),
                        }
                    }
                    out.extend(answers);
                    Ok(response::ok_response(serde_json::to_string(
                        &Value::Array(out),
                    )?))
                }
                single => match judge(&single) {
                    Verdict::Forward => forward(bytes.to_vec(), &mut inner)
                        .await
                        .map_err(Into::into),
                    Verdict::Answer(a) => Ok(response::ok_response(serde_json::to_string(&a)?)),
                },
            }
        })
    }
}
