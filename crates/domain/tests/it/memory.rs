//! Use-case tests of the memory service.
