"""The meeting pack: what a commissioner's office takes into the room - a PowerPoint deck with
native, editable charts and a PDF of the same content, for an area and period, DA and non-DA
throughout, with key findings written in words from the measures and their tests."""
