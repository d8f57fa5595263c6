"""Safe HTTP for untrusted URLs: address policy, redirects, timeouts, size caps, retries."""
