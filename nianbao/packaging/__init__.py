"""Stage 4: Frictionless data packages (CSV + Table Schema), workbooks and ZIPs, as bytes; validated by Frictionless."""
