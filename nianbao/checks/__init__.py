"""Stage 3: the accounting identities (勾稽关系) within a report and across years, and acknowledged discrepancies."""
