//! Use-case tests of the chat service.
