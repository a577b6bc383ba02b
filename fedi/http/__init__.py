"""HTTP helpers every face shares: JSON responses and content negotiation."""
