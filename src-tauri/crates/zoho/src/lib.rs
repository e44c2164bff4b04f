//! Zoho protocol pieces (placeholder).
