//! Whole-app tests of the memory routes.
