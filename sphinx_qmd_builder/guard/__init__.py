"""What keeps a bad input from costing more than itself: path checks, per-page
isolation, input checks, and atomic file output."""
