"""Business rules: each public function is one unit of work that commits once."""
