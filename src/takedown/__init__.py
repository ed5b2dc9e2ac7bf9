"""takedown: internet referral work, from reports in to verified removals out."""

__version__ = "0.1.0"
