//! Frontier's page (placeholder).
