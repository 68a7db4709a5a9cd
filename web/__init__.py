"""What the blueprints share: JSON errors, input parsing, staff sessions, rate limits."""
