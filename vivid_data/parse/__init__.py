"""Human parsing: agnostic masks and videos per category, garment masks for product images."""
