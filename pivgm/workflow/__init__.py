"""Moving data from its working life to its published life: loading versions and releasing them."""
