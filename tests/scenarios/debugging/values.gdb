break vars.tes:35
run
info locals
print s
print xs
print names
print *c
print c.id
print c.label
finish
