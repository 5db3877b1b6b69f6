//! Use-case tests of the auth service.
