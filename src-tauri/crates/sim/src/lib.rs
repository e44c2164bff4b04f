//! Zoho Books simulator (placeholder).
