break vars.tes:12
run
continue
bt 3
info args
info locals
up
info locals
up
info locals
