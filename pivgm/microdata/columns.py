"""Column names of an aggregated table, shared by the pipeline, protection and the submission writer."""

PERIOD = "TIME_PERIOD"
VALUE = "OBS_VALUE"
RECORDS = "RECORDS"
LARGEST = "LARGEST"
CONF_STATUS = "CONF_STATUS"
