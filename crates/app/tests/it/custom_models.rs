//! Custom models on webhooks: the admin registry (roles, versions, restore, export and
//! import, deactivation), the SSRF rule at save, and calls through `/v1` and `POST
//! /chat` to a fake n8n (a real HTTP server) with the contract's payload, headers and
//! signature, its answer shapes, permissions and the fallback.

mod calls;
mod failures;
mod registry;
mod rotation;
mod support;
mod usage;
