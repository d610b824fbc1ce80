break vars.tes:36
run
info locals
print s
print xs
print names
print *c
print c.id
print c.label
print ages
finish
