"""The SDMX REST API: query syntax (routing, keys), the service that answers queries from published
releases and the standard, and writers for SDMX-ML 2.1, SDMX-JSON and SDMX-CSV.

Standard clients (sdmx1, pysdmx, rsdmx, .Stat) read it as is; ``pivgm pull`` reads other SDMX services.
"""
