module learn-k8s-easy/test/support/runc-nocap

go 1.22
