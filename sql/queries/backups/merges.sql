-- Stops or starts background merges of one table; {{action}} is STOP or START.
SYSTEM {{action}} MERGES {{table}}
