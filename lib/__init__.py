"""Neural Networks for Recognition: the science behind the book.

Pure library code: arrays in, arrays/results out. Importing it does no work.
"""
