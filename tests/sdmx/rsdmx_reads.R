# rsdmx reads a PIVGM server as a registered service provider: the dataflows, a data structure with its
# codelists, and data with dsd=TRUE (labels from the structure, in every language it holds).
# Usage: Rscript rsdmx_reads.R SDMX_REST_URL OUTPUT_DIR   (writes dataflows.csv, codes.csv and data.csv)
suppressMessages(library(rsdmx))
args <- commandArgs(trailingOnly = TRUE)
base <- args[1]
out <- args[2]
pivgm <- SDMXServiceProvider(
  agencyId = "PIVGM", name = "PIVGM",
  builder = SDMXREST21RequestBuilder(regUrl = base, repoUrl = base, compliant = TRUE))
addSDMXServiceProvider(pivgm)

flows <- as.data.frame(readSDMX(providerId = "PIVGM", resource = "dataflow"))
write.csv(flows, file.path(out, "dataflows.csv"), row.names = FALSE, fileEncoding = "UTF-8")

dsd <- readSDMX(providerId = "PIVGM", resource = "datastructure", resourceId = "DSD_IRREGULAR_TRANSIT")
codes <- as.data.frame(slot(dsd, "codelists"), codelistId = "CL_FREQ")
write.csv(codes, file.path(out, "codes.csv"), row.names = FALSE, fileEncoding = "UTF-8")

data <- readSDMX(providerId = "PIVGM", resource = "data", flowRef = "DF_IRREGULAR_TRANSIT",
                 key = "M.HND.VEN...", start = "2024-01", end = "2024-12", dsd = TRUE)
if (is.null(slot(data, "dsd"))) stop("rsdmx could not fetch the data structure the data message names")
labelled <- suppressWarnings(as.data.frame(data, labels = TRUE))
write.csv(labelled, file.path(out, "data.csv"), row.names = FALSE, fileEncoding = "UTF-8")
