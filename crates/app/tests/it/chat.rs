//! Whole-app tests of the chat routes.
