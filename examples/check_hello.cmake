# The README's main job must print the sum and exit with the guest's status 1.
execute_process(COMMAND ${VMM86} run --bios ${IMAGE} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 1)
  message(FATAL_ERROR "expected exit status 1, got ${status}\n${out}\n${err}")
endif()
if(NOT out MATCHES "sum\\(1\\.\\.1000\\) = 500500")
  message(FATAL_ERROR "unexpected output:\n${out}")
endif()
