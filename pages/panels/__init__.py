"""Page-specific sub-panels, kept out of the page files so each page stays short."""
