"""Sésame's domain: entities and rules, standard library only."""
