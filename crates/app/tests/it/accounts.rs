//! Whole-app tests of the accounts routes.
