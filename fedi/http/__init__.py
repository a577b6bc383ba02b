"""HTTP helpers every face shares: JSON responses, content negotiation and who is signed in
through the browser session."""
