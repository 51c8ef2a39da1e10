"""Binance: spot and USD-M futures."""
