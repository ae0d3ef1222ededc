"""twinwatch: a weekly change digest of sister-city, twin-town and friendship-city agreements."""

__version__ = "0.1.0"
