"""The HTML page in a real browser: Debian's chromium driven by selenium (chromium-driver)."""
