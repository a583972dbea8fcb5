"""Pages of oversight: compliance, meetings, escalations, coverage, assessment."""
