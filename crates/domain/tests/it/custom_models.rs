//! The custom-model registry and the router over it, on in-memory ports and a
//! recording webhook caller: sealing, versions, who may use a model, the payload's
//! terms, and the fallback when a webhook fails before its answer started.

mod registry;
mod routing;
mod world;
