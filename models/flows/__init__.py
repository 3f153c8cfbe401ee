"""The one place that joins the store and the models: jobs → registry → stored predictions."""
