//! Placeholder until the detector lands.
