-- How many members a diff adds and removes (the whole diff: {after} is '').
SELECT countIf(m.version = {to:UInt32}) AS added, countIf(m.version = {from:UInt32}) AS removed
{{audiences/diff-rows}}
