"""Tests of the pybotters-bybit plugin."""
